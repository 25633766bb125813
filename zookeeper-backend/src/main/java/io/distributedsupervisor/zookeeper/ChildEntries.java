package io.distributedsupervisor.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What a view holds per child key, a spec slot and an owner entry, in one map entry rather than
 * one in each of two maps: a view holds every child of the cluster, and a second map costs a
 * child another 32-byte map node and table slot. {@link #specs} and {@link #owners} read and
 * write it as two maps would; each operation is atomic for its key, as {@link ConcurrentHashMap}'s
 * are, and a key with neither part is removed.
 *
 * <p>The keys with a spec slot and no owner entry (stored specs without owner: orphans to place)
 * are kept apart as well, as each change makes or ends one, so that a look for them costs as many
 * steps as there are, not a pass over every child of the cluster: every node looks on every change
 * of members and on its slow timer, and a pass over a million entries took 40-65 ms of a warm,
 * idle JVM (more on a busy node).
 *
 * @param <S> a spec slot
 * @param <O> an owner entry
 */
final class ChildEntries<S, O> {
    private record Entry(Object spec, Object owner) {
    }

    private final ConcurrentHashMap<String, Entry> map = new ConcurrentHashMap<>();
    /** The keys whose entry has a spec slot and no owner entry; changed with the entry, under its key's lock. */
    private final Set<String> withoutOwner = ConcurrentHashMap.newKeySet();
    final Part<S> specs = new Part<>(true);
    final Part<O> owners = new Part<>(false);

    /** Tells {@code action} the key of every entry that has a spec slot and no owner entry, without a pass over the others. */
    void forEachSpecWithoutOwner(Consumer<String> action) {
        withoutOwner.forEach(action);
    }

    private static boolean specWithoutOwner(Entry e) {
        return e != null && e.spec() != null && e.owner() == null;
    }

    /** One part of every entry, as a map of its own. */
    final class Part<V> {
        private final boolean spec;

        private Part(boolean spec) {
            this.spec = spec;
        }

        @SuppressWarnings("unchecked")
        private V of(Entry e) {
            return e == null ? null : (V) (spec ? e.spec() : e.owner());
        }

        private Entry with(Entry e, V value) {
            Object other = e == null ? null : spec ? e.owner() : e.spec();
            if (value == null && other == null) {
                return null;
            }
            return spec ? new Entry(value, other) : new Entry(other, value);
        }

        V get(String key) {
            return of(map.get(key));
        }

        boolean containsKey(String key) {
            return get(key) != null;
        }

        /**
         * As {@link ConcurrentHashMap#compute}, on this part: {@code f} gets the present value or
         * null, and its null removes it. The key already held is kept (one String per key).
         */
        V compute(String key, BiFunction<String, V, V> f) {
            return of(map.compute(key, (k, e) -> {
                V before = of(e);
                V after = f.apply(k, before);
                if (after == before) {
                    return e;
                }
                Entry changed = with(e, after);
                if (specWithoutOwner(changed) != specWithoutOwner(e)) {
                    if (specWithoutOwner(changed)) {
                        withoutOwner.add(k);
                    } else {
                        withoutOwner.remove(k);
                    }
                }
                return changed;
            }));
        }

        V computeIfPresent(String key, BiFunction<String, V, V> f) {
            return compute(key, (k, v) -> v == null ? null : f.apply(k, v));
        }

        void put(String key, V value) {
            compute(key, (k, v) -> value);
        }

        V putIfAbsent(String key, V value) {
            Object[] previous = {null};
            compute(key, (k, v) -> {
                previous[0] = v;
                return v != null ? v : value;
            });
            @SuppressWarnings("unchecked")
            V p = (V) previous[0];
            return p;
        }

        V merge(String key, V value, BiFunction<V, V, V> f) {
            return compute(key, (k, v) -> v == null ? value : f.apply(v, value));
        }

        V remove(String key) {
            Object[] previous = {null};
            compute(key, (k, v) -> {
                previous[0] = v;
                return null;
            });
            @SuppressWarnings("unchecked")
            V p = (V) previous[0];
            return p;
        }

        /** Removes the value if it equals {@code expected}; whether it did. */
        boolean remove(String key, Object expected) {
            boolean[] removed = {false};
            compute(key, (k, v) -> {
                if (v != null && v.equals(expected)) {
                    removed[0] = true;
                    return null;
                }
                return v;
            });
            return removed[0];
        }

        void forEach(BiConsumer<String, V> action) {
            map.forEach((k, e) -> {
                V v = of(e);
                if (v != null) {
                    action.accept(k, v);
                }
            });
        }

        /** Whether any value passes {@code test}; stops at the first. */
        boolean anyMatch(Predicate<V> test) {
            return map.search(Long.MAX_VALUE, (k, e) -> {
                V v = of(e);
                return v != null && test.test(v) ? Boolean.TRUE : null;
            }) != null;
        }

        void forEachKey(Consumer<String> action) {
            forEach((k, v) -> action.accept(k));
        }

        /** The keys that have this part now. */
        List<String> keys() {
            List<String> keys = new ArrayList<>();
            forEachKey(keys::add);
            return keys;
        }
    }
}
