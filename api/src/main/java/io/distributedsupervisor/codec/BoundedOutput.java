package io.distributedsupervisor.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Where {@link CborCodec#encode} writes: counts the bytes and stops at maxBytes, so that a payload
 * too large to send fails before it fills the heap. Either forwards to the caller's stream, or
 * (for {@code encode(Object)}) keeps the bytes itself, unsynchronized, unlike ByteArrayOutputStream.
 */
final class BoundedOutput extends OutputStream {
    private final OutputStream target;
    private final long max;
    private long written;
    private byte[] buffer;

    private BoundedOutput(OutputStream target, long max, int capacity) {
        this.target = target;
        this.max = max;
        this.buffer = target == null ? new byte[capacity] : null;
    }

    static BoundedOutput forwardingTo(OutputStream target, long max) {
        return new BoundedOutput(target, max, 0);
    }

    static BoundedOutput buffered(long max) {
        return new BoundedOutput(null, max, 128);
    }

    @Override
    public void write(int b) throws IOException {
        count(1);
        if (target != null) {
            target.write(b);
        } else {
            buffer[(int) written - 1] = (byte) b;
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        long start = written;
        count(len);
        if (target != null) {
            target.write(b, off, len);
        } else {
            System.arraycopy(b, off, buffer, (int) start, len);
        }
    }

    private void count(int n) throws TooLarge {
        written += n;
        if (written > max) {
            throw new TooLarge();
        }
        if (buffer != null && written > buffer.length) {
            buffer = Arrays.copyOf(buffer, (int) Math.min(Math.max(written, 2L * buffer.length), max));
        }
    }

    /** The bytes kept, for a buffered one. */
    byte[] toByteArray() {
        return Arrays.copyOf(buffer, (int) written);
    }

    /** The payload went over maxBytes. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super(null, null);
        }
    }
}
