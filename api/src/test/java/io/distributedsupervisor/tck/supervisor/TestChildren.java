package io.distributedsupervisor.tck.supervisor;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ExitReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Children used by the API tests. Ids are made unique per test ({@link #uniqueId}), so the
 * static records below never mix tests up.
 */
public final class TestChildren {
    private TestChildren() {
    }

    /** terminate() reasons, by child id, across incarnations. */
    public static final Map<Object, List<ExitReason>> TERMINATED = new ConcurrentHashMap<>();
    /** init() calls, by child id, across incarnations and nodes. */
    public static final Map<Object, AtomicInteger> INITS = new ConcurrentHashMap<>();
    /** Threads init() ran on, by child id. */
    public static final Map<Object, List<Thread>> INIT_THREADS = new ConcurrentHashMap<>();

    public static String uniqueId(String prefix) {
        return prefix + "-" + java.util.UUID.randomUUID();
    }

    public static List<ExitReason> terminated(Object id) {
        return TERMINATED.getOrDefault(id, List.of());
    }

    public static int inits(Object id) {
        AtomicInteger n = INITS.get(id);
        return n == null ? 0 : n.get();
    }

    /** Records init and terminate of every child that extends it. */
    public abstract static class Recording implements Child {
        @Override
        public void init(ChildContext ctx) throws Exception {
            INITS.computeIfAbsent(ctx.id(), k -> new AtomicInteger()).incrementAndGet();
            INIT_THREADS.computeIfAbsent(ctx.id(), k -> new CopyOnWriteArrayList<>()).add(Thread.currentThread());
        }

        @Override
        public void terminate(ExitReason reason, ChildContext ctx) {
            TERMINATED.computeIfAbsent(ctx.id(), k -> new CopyOnWriteArrayList<>()).add(reason);
        }
    }

    /**
     * A counter: starts at the spec's Integer argument (0 without one). Calls: "get", "inc",
     * "pid", "node", "crash" (throws), "stop" (normal exit), "stop-custom", "self" (calls itself and
     * answers the exception's class name), {@code Duration} (blocks that long, then answers "slept").
     * Casts and infos: "inc", "crash", "stop".
     */
    public static final class Counter extends Recording {
        private int count;

        public Counter() {
        }

        public Counter(Integer start) {
            this.count = start == null ? 0 : start;
        }

        @Override
        public Object handleCall(Object request, ChildContext ctx) throws Exception {
            if (request instanceof Duration d) {
                Thread.sleep(d.toMillis());
                return "slept";
            }
            return switch ((String) request) {
                case "get" -> count;
                case "inc" -> ++count;
                case "pid" -> ctx.pid();
                case "node" -> ctx.supervisor().node();
                case "arg" -> ctx.arg();
                case "crash" -> throw new IllegalStateException("crash requested");
                case "stop" -> {
                    ctx.stop();
                    yield "stopping";
                }
                case "stop-custom" -> {
                    ctx.stop("my reason");
                    yield "stopping";
                }
                case "self" -> {
                    try {
                        ctx.supervisor().call(ctx.id(), "get");
                        yield "no exception";
                    } catch (Exception e) {
                        yield e.getClass().getName();
                    }
                }
                default -> throw new IllegalArgumentException("unknown request " + request);
            };
        }

        @Override
        public void handleCast(Object message, ChildContext ctx) {
            handle(message, ctx);
        }

        @Override
        public void handleInfo(Object message, ChildContext ctx) {
            handle(message, ctx);
        }

        private void handle(Object message, ChildContext ctx) {
            switch ((String) message) {
                case "inc" -> count++;
                case "crash" -> throw new IllegalStateException("crash requested");
                case "stop" -> ctx.stop();
                default -> throw new IllegalArgumentException("unknown message " + message);
            }
        }
    }

    /** Crashes at every call, cast and info. */
    public static final class Crasher extends Recording {
        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            throw new IllegalStateException("I always crash");
        }

        @Override
        public void handleCast(Object message, ChildContext ctx) {
            throw new IllegalStateException("I always crash");
        }
    }

    /** Sends itself a message in init and crashes on it: a crash loop with no caller involved. */
    public static final class CrashLoop extends Recording {
        @Override
        public void init(ChildContext ctx) throws Exception {
            super.init(ctx);
            ctx.supervisor().send(ctx.id(), "boom");
        }

        @Override
        public void handleInfo(Object message, ChildContext ctx) {
            throw new IllegalStateException("crash loop");
        }
    }

    /** Its init always throws. */
    public static final class InitFails extends Recording {
        @Override
        public void init(ChildContext ctx) throws Exception {
            super.init(ctx);
            throw new IllegalStateException("init refused");
        }
    }

    /** Appends every cast Integer to a list; call "list" answers a copy. */
    public static final class Appender extends Recording {
        private final List<Integer> seen = new ArrayList<>();

        @Override
        public void handleCast(Object message, ChildContext ctx) {
            seen.add((Integer) message);
        }

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            return List.copyOf(seen);
        }
    }

    /** Its init sleeps for the spec's argument (a Duration). */
    public static final class SlowInit extends Recording {
        private final Duration delay;

        public SlowInit(Duration delay) {
            this.delay = delay;
        }

        @Override
        public void init(ChildContext ctx) throws Exception {
            super.init(ctx);
            Thread.sleep(delay.toMillis());
        }

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            return "ok";
        }
    }

    /**
     * Counts without any synchronization: correct only if messages are handled one at a time.
     * Call "inc" reads, yields, writes; "get" answers; "slow-crash" sleeps 300 ms then throws.
     */
    public static final class RacyCounter extends Recording {
        private int count;

        @Override
        public Object handleCall(Object request, ChildContext ctx) throws Exception {
            switch ((String) request) {
                case "inc" -> {
                    int c = count;
                    Thread.yield();
                    count = c + 1;
                    return count;
                }
                case "get" -> {
                    return count;
                }
                case "slow-crash" -> {
                    Thread.sleep(300);
                    throw new IllegalStateException("slow crash");
                }
                default -> throw new IllegalArgumentException(String.valueOf(request));
            }
        }

        @Override
        public void handleCast(Object message, ChildContext ctx) throws Exception {
            if ("slow-crash".equals(message)) {
                Thread.sleep(300);
                throw new IllegalStateException("slow crash");
            }
            int c = count;
            Thread.yield();
            count = c + 1;
        }
    }

    /** A counter whose terminate takes 150 ms: a restart leaves a window in which messages arrive. */
    public static final class SlowTerminate extends Recording {
        private int count;

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            return switch ((String) request) {
                case "get" -> count;
                case "crash" -> throw new IllegalStateException("crash requested");
                case "stop" -> {
                    ctx.stop();
                    yield "stopping";
                }
                default -> throw new IllegalArgumentException(String.valueOf(request));
            };
        }

        @Override
        public void handleCast(Object message, ChildContext ctx) {
            count++;
        }

        @Override
        public void handleInfo(Object message, ChildContext ctx) {
            count++;
        }

        @Override
        public void terminate(ExitReason reason, ChildContext ctx) {
            super.terminate(reason, ctx);
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Not a Child at all. */
    public static final class NotAChild {
    }

    /** A Child whose only constructor takes a String. */
    public static final class NeedsString extends Recording {
        public NeedsString(String s) {
        }
    }

    /** A Child with no public constructor. */
    public static final class PrivateCtor extends Recording {
        private PrivateCtor() {
        }
    }

    /** Requests a {@link Sequencer} got, by child id, in the order it got them. */
    public static final Map<Object, List<Object>> SEQUENCE = new ConcurrentHashMap<>();
    /** Gates a {@link Sequencer} waits at, by child id, before answering its first call. */
    public static final Map<Object, java.util.concurrent.CountDownLatch> GATES = new ConcurrentHashMap<>();

    /** Its init waits until the gate in {@link #GATES} for its id (if any) opens; answers calls with "ok". */
    public static final class GatedInit extends Recording {
        @Override
        public void init(ChildContext ctx) throws Exception {
            super.init(ctx);
            java.util.concurrent.CountDownLatch gate = GATES.get(ctx.id());
            if (gate != null) {
                gate.await();
            }
        }

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            return "ok";
        }
    }

    /**
     * Records every call's request and every cast (see {@link #SEQUENCE}) and answers a call with
     * its request; its first call waits until the gate in {@link #GATES} for its id (if any) opens.
     */
    public static final class Sequencer implements Child {
        @Override
        public Object handleCall(Object request, ChildContext ctx) throws Exception {
            List<Object> seen = SEQUENCE.computeIfAbsent(ctx.id(), k -> new CopyOnWriteArrayList<>());
            java.util.concurrent.CountDownLatch gate = GATES.get(ctx.id());
            if (seen.isEmpty() && gate != null) {
                seen.add(request);
                gate.await();
                return request;
            }
            seen.add(request);
            return request;
        }

        @Override
        public void handleCast(Object message, ChildContext ctx) {
            SEQUENCE.computeIfAbsent(ctx.id(), k -> new CopyOnWriteArrayList<>()).add(message);
        }
    }
}
