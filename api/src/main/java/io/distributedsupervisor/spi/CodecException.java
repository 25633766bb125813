package io.distributedsupervisor.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * A {@link MessageCodec} could not, or would not, encode or decode a payload. When a class was
 * refused (not on the codec's allow-list, or not usable as what it was named for),
 * {@link #refusedClass()} names it. The runtime turns this into a
 * {@link io.distributedsupervisor.MessageRefusedException} that also names the node and the
 * operation.
 */
public final class CodecException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String refusedClass;

    private CodecException(String message, String refusedClass, Throwable cause) {
        super(message, cause);
        this.refusedClass = refusedClass;
    }

    /** The class {@code className} was refused; {@code why} says by what rule. */
    public static CodecException refused(String className, String why) {
        Objects.requireNonNull(className, "className");
        return new CodecException("class " + className + " refused: " + why, className, null);
    }

    /** The bytes or the payload are unusable for another reason (malformed, a limit exceeded, an I/O error). */
    public static CodecException failed(String message, Throwable cause) {
        return new CodecException(Objects.requireNonNull(message, "message"), null, cause);
    }

    /** The binary name of the class that was refused, when the failure is a refused class. */
    public Optional<String> refusedClass() {
        return Optional.ofNullable(refusedClass);
    }
}
