package io.distributedsupervisor.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * maxNumberLength for CBOR, whose big numbers are binary (tags 2, 3 and 4) and so escape
 * Jackson's digit count: a BigInteger may have at most that many decimal digits, a BigDecimal
 * that many digits and a scale of at most that magnitude (a tiny {@code 1E-2147483647} would
 * otherwise make {@code toPlainString} or {@code setScale} build a huge number).
 */
final class NumberLimits {
    private static final double DIGITS_PER_BIT = Math.log10(2);

    private NumberLimits() {
    }

    static final class Integers extends StdScalarDeserializer<BigInteger> {
        private static final long serialVersionUID = 1L;
        private final int maxDigits;

        Integers(int maxDigits) {
            super(BigInteger.class);
            this.maxDigits = maxDigits;
        }

        @Override
        public BigInteger deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                return (BigInteger) ctxt.handleUnexpectedToken(BigInteger.class, p);
            }
            BigInteger value = p.getBigIntegerValue();
            check(p, (long) Math.ceil(value.bitLength() * DIGITS_PER_BIT), maxDigits);
            return value;
        }
    }

    static final class Decimals extends StdScalarDeserializer<BigDecimal> {
        private static final long serialVersionUID = 1L;
        private final int maxDigits;

        Decimals(int maxDigits) {
            super(BigDecimal.class);
            this.maxDigits = maxDigits;
        }

        @Override
        public BigDecimal deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken t = p.currentToken();
            if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
                return (BigDecimal) ctxt.handleUnexpectedToken(BigDecimal.class, p);
            }
            BigDecimal value = p.getDecimalValue();
            check(p, (long) Math.ceil(value.unscaledValue().bitLength() * DIGITS_PER_BIT), maxDigits);
            check(p, Math.abs((long) value.scale()), maxDigits);
            return value;
        }
    }

    private static void check(JsonParser p, long length, int max) throws StreamConstraintsException {
        if (length > max) {
            // Worded as Jackson words its own, so that CborCodec names the limit the same way.
            throw new StreamConstraintsException("Number value length (" + length + ") exceeds the maximum allowed ("
                    + max + ")", p.currentLocation());
        }
    }
}
