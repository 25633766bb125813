package io.distributedsupervisor.codec;

import java.io.Serializable;

/**
 * Not on any default allow-list (the defaults name this library's types one by one). Its static
 * initializer records the loader it ran in, so a test sees whether a decode ran any of its code.
 * Load it through {@link Tripwires.IsolatedLoader} to get a copy no other test has touched.
 */
public class Tripwire implements Serializable {
    private static final long serialVersionUID = 1L;

    static {
        // A system property, not a call: each copy lives in a loader (and runtime package) of its own.
        System.setProperty("tripwire.initialized." + System.identityHashCode(Tripwire.class.getClassLoader()), "true");
    }

    public String payload = "boom";

    public Tripwire() {
    }
}
