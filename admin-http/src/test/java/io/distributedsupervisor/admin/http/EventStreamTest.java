package io.distributedsupervisor.admin.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A client's bounded queue: a slow client loses its oldest messages and is told how many; no writer ever waits. */
class EventStreamTest {

    @Test
    void aFullQueueDropsItsOldestMessagesAndTheClientIsToldHowMany() throws Exception {
        EventStream stream = new EventStream(3);
        for (int i = 1; i <= 10; i++) {
            stream.offer("event", "{\"n\":" + i + "}");
        }
        assertThat(stream.dropped()).isEqualTo(7);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = Thread.ofVirtual().start(() -> {
            try {
                stream.pump(out);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        org.awaitility.Awaitility.await().until(() -> out.toString(StandardCharsets.UTF_8).contains("{\"n\":10}"));
        stream.close();
        pump.join(5000);
        String written = out.toString(StandardCharsets.UTF_8);
        assertThat(written).startsWith("event: dropped\ndata: {\"dropped\":7}\n\n")
                .contains("data: {\"n\":8}", "data: {\"n\":9}", "data: {\"n\":10}").doesNotContain("{\"n\":7}");
        assertThat(pump.isAlive()).isFalse();
    }

    @Test
    void aClosedStreamTakesNothingMore() {
        EventStream stream = new EventStream(2);
        stream.close();
        stream.offer("event", "{}");
        assertThat(stream.dropped()).isZero();
    }
}
