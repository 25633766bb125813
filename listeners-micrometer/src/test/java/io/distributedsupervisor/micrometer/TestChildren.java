package io.distributedsupervisor.micrometer;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Children of these tests. */
final class TestChildren {
    private TestChildren() {
    }

    /** Answers "inc" by counting; "crash" throws. */
    public static final class Counter implements Child {
        private int count;

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            return switch ((String) request) {
                case "inc" -> ++count;
                case "crash" -> throw new IllegalStateException("crash requested");
                default -> throw new IllegalArgumentException("unknown request " + request);
            };
        }
    }

    /** Sends itself a message in init and crashes on it: a crash loop that ends in a give-up. */
    public static final class CrashLoop implements Child {
        @Override
        public void init(ChildContext ctx) {
            ctx.supervisor().send(ctx.id(), "boom");
        }

        @Override
        public void handleInfo(Object message, ChildContext ctx) {
            throw new IllegalStateException("crash loop");
        }
    }

    /** On the cast "hold" it waits until {@link #OPEN} opens, so that what is cast after it waits in its mailbox. */
    public static final class Holder implements Child {
        static volatile CountDownLatch OPEN = new CountDownLatch(1);

        @Override
        public void handleCast(Object message, ChildContext ctx) {
            if ("hold".equals(message)) {
                try {
                    OPEN.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
