package io.distributedsupervisor.codec;

import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;

/**
 * Where a {@link CborCodec}'s parsers and generators take their buffers: a platform thread keeps
 * its own (Jackson's default, a thread-local), virtual threads share a bounded pool of the
 * codec's. Jackson's thread-local gives every new virtual thread (a child's drain, started when a
 * message arrives) fresh buffers of several KiB to fill and drop for each 64-byte payload: that
 * was a quarter of a remote call's time. A virtual thread never waits inside a parse or a
 * generation of bytes in memory, so about as many buffers are in use at once as there are
 * carrier threads; the pool keeps a few more, and makes (then drops) buffers beyond them.
 */
final class RecyclerPerThreadKind implements RecyclerPool<BufferRecycler> {
    private static final long serialVersionUID = 1L;

    private final RecyclerPool<BufferRecycler> platform = JsonRecyclerPools.threadLocalPool();
    private final RecyclerPool<BufferRecycler> virtual =
            JsonRecyclerPools.newBoundedPool(Math.max(8, 2 * Runtime.getRuntime().availableProcessors()));

    private RecyclerPool<BufferRecycler> pool() {
        return Thread.currentThread().isVirtual() ? virtual : platform;
    }

    @Override
    public BufferRecycler acquireAndLinkPooled() {
        // The recycler is linked to the pool it came from, and goes back there when released.
        return pool().acquireAndLinkPooled();
    }

    @Override
    public BufferRecycler acquirePooled() {
        return pool().acquirePooled();
    }

    @Override
    public void releasePooled(BufferRecycler recycler) {
        pool().releasePooled(recycler);
    }
}
