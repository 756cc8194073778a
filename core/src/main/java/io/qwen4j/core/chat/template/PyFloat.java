package io.qwen4j.core.chat.template;

import java.math.BigDecimal;

/** Python's {@code repr(float)}: the shortest digits that round-trip, in Python's layout. */
final class PyFloat {
    private PyFloat() {
    }

    /** As Python's {@code str}/{@code repr}: 1.0, 0.1, 1e-05, 1e+16, inf, nan. */
    static String repr(double value) {
        return format(value, "inf", "nan");
    }

    /** As Python's {@code json.dumps}: like repr but Infinity, -Infinity and NaN. */
    static String json(double value) {
        return format(value, "Infinity", "NaN");
    }

    private static String format(double value, String infinity, String nan) {
        if (Double.isNaN(value)) {
            return nan;
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? infinity : "-" + infinity;
        }
        if (value == 0) {
            return (1 / value < 0) ? "-0.0" : "0.0";
        }
        // Double.toString gives the shortest round-tripping digits (JDK 19+), as Python's repr does.
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(value))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int pointPosition = digits.length() - exact.scale();
        StringBuilder out = new StringBuilder(24);
        if (value < 0) {
            out.append('-');
        }
        if (pointPosition > 16 || pointPosition < -3) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            int exponent = pointPosition - 1;
            out.append(exponent < 0 ? "e-" : "e+");
            int magnitude = Math.abs(exponent);
            if (magnitude < 10) {
                out.append('0');
            }
            out.append(magnitude);
        } else if (pointPosition <= 0) {
            out.append("0.").append("0".repeat(-pointPosition)).append(digits);
        } else if (pointPosition >= digits.length()) {
            out.append(digits).append("0".repeat(pointPosition - digits.length())).append(".0");
        } else {
            out.append(digits, 0, pointPosition).append('.').append(digits, pointPosition, digits.length());
        }
        return out.toString();
    }
}
