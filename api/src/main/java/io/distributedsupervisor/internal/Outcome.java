package io.distributedsupervisor.internal;

/** What one attempt of an operation came to: done, failed for good, or worth another attempt. */
sealed interface Outcome<T> {
    record Done<T>(T value) implements Outcome<T> {
    }

    record Failed<T>(RuntimeException error) implements Outcome<T> {
    }

    /** Nothing was processed; {@code why} is kept for the timeout's message if no later attempt succeeds. */
    record Retry<T>(String why) implements Outcome<T> {
    }

    static <T> Outcome<T> done(T value) {
        return new Done<>(value);
    }

    static <T> Outcome<T> failed(RuntimeException error) {
        return new Failed<>(error);
    }

    static <T> Outcome<T> retry(String why) {
        return new Retry<>(why);
    }
}
