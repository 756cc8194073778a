package io.qwen4j.core.chat.template;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Python's binary and unary arithmetic: int/float/bool numbers, str and list concatenation and repetition. */
final class Operators {
    private Operators() {
    }

    static Object binary(String op, Object a, Object b) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        if (Py.isNumber(a) && Py.isNumber(b)) {
            return numeric(op, a, b);
        }
        switch (op) {
            case "+" -> {
                if (a instanceof String x && b instanceof String y) {
                    Limits.checkSize((long) x.length() + y.length());
                    return x + y;
                }
                if (a instanceof List<?> x && b instanceof List<?> y) {
                    List<Object> out = new ArrayList<>(x);
                    out.addAll(y);
                    return out;
                }
                if (a instanceof PyTuple x && b instanceof PyTuple y) {
                    List<Object> out = new ArrayList<>(x.items());
                    out.addAll(y.items());
                    return new PyTuple(out);
                }
                if (a instanceof String || a instanceof List<?> || a instanceof PyTuple) {
                    throw new PyError("can only concatenate " + Py.typeName(a) + " (not \"" + Py.typeName(b)
                            + "\") to " + Py.typeName(a));
                }
            }
            case "*" -> {
                Object repeated = repeat(a, b);
                if (repeated == null) {
                    repeated = repeat(b, a);
                }
                if (repeated != null) {
                    return repeated;
                }
            }
            case "%" -> {
                if (a instanceof String) {
                    throw new PyError("unsupported construct: printf-style '%' formatting of strings");
                }
            }
            default -> {
            }
        }
        throw new PyError("unsupported operand type(s) for " + op + ": '" + Py.typeName(a) + "' and '"
                + Py.typeName(b) + "'");
    }

    private static Object repeat(Object sequence, Object times) {
        if (!(Py.isInt(times) || times instanceof Boolean)) {
            return null;
        }
        if (sequence instanceof String s) {
            return PyStrings.repeat(s, times);
        }
        if (sequence instanceof List<?> || sequence instanceof PyTuple) {
            List<?> items = sequence instanceof PyTuple t ? t.items() : (List<?>) sequence;
            int n = Math.max(0, Py.toIndex(times, "repeat count"));
            Limits.checkSize((long) items.size() * n);
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.addAll(items);
            }
            return sequence instanceof PyTuple ? new PyTuple(out) : out;
        }
        return null;
    }

    private static Object numeric(String op, Object a, Object b) {
        boolean floating = Py.isFloat(a) || Py.isFloat(b);
        if (op.equals("/")) {
            double y = Py.toDouble(b);
            if (y == 0) {
                throw new PyError(floating ? "float division by zero" : "division by zero");
            }
            return floating ? Py.toDouble(a) / y : trueDivide(Py.bigInt(a), Py.bigInt(b));
        }
        if (floating) {
            return floatOp(op, Py.toDouble(a), Py.toDouble(b));
        }
        BigInteger x = Py.bigInt(a);
        BigInteger y = Py.bigInt(b);
        return switch (op) {
            case "+" -> Py.normalize(x.add(y));
            case "-" -> Py.normalize(x.subtract(y));
            case "*" -> Py.normalize(x.multiply(y));
            case "//" -> {
                checkZero(y, "integer division or modulo by zero");
                BigInteger[] qr = x.divideAndRemainder(y);
                BigInteger q = qr[0];
                if (qr[1].signum() != 0 && qr[1].signum() != y.signum()) {
                    q = q.subtract(BigInteger.ONE);
                }
                yield Py.normalize(q);
            }
            case "%" -> {
                checkZero(y, "integer division or modulo by zero");
                BigInteger r = x.mod(y.abs());
                if (y.signum() < 0 && r.signum() != 0) {
                    r = r.add(y);
                }
                yield Py.normalize(r);
            }
            case "**" -> {
                if (y.signum() < 0) {
                    yield Math.pow(x.doubleValue(), y.doubleValue());
                }
                if (x.bitLength() * y.doubleValue() > 1_000_000) {
                    throw new PyError("integer power result too large");
                }
                yield Py.normalize(x.pow(y.intValueExact()));
            }
            default -> throw new IllegalArgumentException(op);
        };
    }

    private static void checkZero(BigInteger y, String message) {
        if (y.signum() == 0) {
            throw new PyError(message);
        }
    }

    private static double trueDivide(BigInteger x, BigInteger y) {
        if (x.bitLength() < 53 && y.bitLength() < 53) {
            return x.doubleValue() / y.doubleValue();
        }
        return new java.math.BigDecimal(x).divide(new java.math.BigDecimal(y), java.math.MathContext.DECIMAL128)
                .doubleValue();
    }

    private static Object floatOp(String op, double x, double y) {
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "//" -> {
                if (y == 0) {
                    throw new PyError("float floor division by zero");
                }
                yield Math.floor(x / y);
            }
            case "%" -> {
                if (y == 0) {
                    throw new PyError("float modulo");
                }
                double r = x % y;
                if (r != 0 && (r < 0) != (y < 0)) {
                    r += y;
                }
                yield r;
            }
            case "**" -> {
                if (x == 0 && y < 0) {
                    throw new PyError("0.0 cannot be raised to a negative power");
                }
                yield Math.pow(x, y);
            }
            default -> throw new IllegalArgumentException(op);
        };
    }

    static Object negate(Object a) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (Py.isFloat(a)) {
            return -Py.toDouble(a);
        }
        if (Py.isNumber(a)) {
            return Py.normalize(Py.bigInt(a).negate());
        }
        throw new PyError("bad operand type for unary -: '" + Py.typeName(a) + "'");
    }

    static Object plus(Object a) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (a instanceof Boolean) {
            return Py.normalize(Py.bigInt(a));
        }
        if (Py.isNumber(a)) {
            return a;
        }
        throw new PyError("bad operand type for unary +: '" + Py.typeName(a) + "'");
    }
}
