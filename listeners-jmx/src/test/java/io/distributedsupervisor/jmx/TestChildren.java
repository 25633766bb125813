package io.distributedsupervisor.jmx;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;

/** Children of these tests (small copies of the in-memory backend's test children). */
final class TestChildren {
    private TestChildren() {
    }

    /** Answers "get" with its count and "inc" by counting; "crash" throws. */
    public static final class Counter implements Child {
        private int count;

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            return switch ((String) request) {
                case "get" -> count;
                case "inc" -> ++count;
                case "crash" -> throw new IllegalStateException("crash requested");
                default -> throw new IllegalArgumentException("unknown request " + request);
            };
        }
    }

    /** Sends itself a message in init and crashes on it: a crash loop with no caller involved. */
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
}
