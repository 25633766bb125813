package io.distributedsupervisor.codec;

import com.fasterxml.jackson.databind.JsonMappingException;

/**
 * Thrown inside Jackson when a class is refused, and turned into
 * {@link io.distributedsupervisor.spi.CodecException#refused} by {@link CborCodec}. A
 * {@link JsonMappingException}, because Jackson lets those through unwrapped (adding only the
 * path), so the class name and the reason survive intact.
 */
final class RefusedClassException extends JsonMappingException {
    private static final long serialVersionUID = 1L;

    /** Why, for a class that no pattern of the allow-list admits. */
    static final String NOT_ALLOWED = "not in the codec's allow-list (add it with CborCodec.allowing(...) or AllowList.and(...))";

    private final String className;
    private final String why;

    RefusedClassException(String className, String why) {
        super(null, "class " + className + " refused: " + why);
        this.className = className;
        this.why = why;
    }

    String className() {
        return className;
    }

    String why() {
        return why;
    }
}
