package io.distributedsupervisor.internal;

import io.distributedsupervisor.Child;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/**
 * Builds child instances from a spec's class and argument: a public constructor that takes the
 * argument, else a public no-argument one. Constructors are looked up once per class.
 */
public final class ChildFactory {

    private record Constructors(Constructor<?> noArg, Constructor<?>[] oneArg) {
    }

    private static final ClassValue<Constructors> CONSTRUCTORS = new ClassValue<>() {
        @Override
        protected Constructors computeValue(Class<?> type) {
            Constructor<?> noArg = null;
            java.util.List<Constructor<?>> oneArg = new java.util.ArrayList<>();
            for (Constructor<?> c : type.getConstructors()) {
                if (c.getParameterCount() == 0) {
                    noArg = c;
                } else if (c.getParameterCount() == 1) {
                    oneArg.add(c);
                }
            }
            for (Constructor<?> c : oneArg) {
                trySetAccessible(c);
            }
            if (noArg != null) {
                trySetAccessible(noArg);
            }
            return new Constructors(noArg, oneArg.toArray(new Constructor<?>[0]));
        }
    };

    private ChildFactory() {
    }

    private static void trySetAccessible(Constructor<?> c) {
        try {
            c.setAccessible(true);
        } catch (RuntimeException e) {
            // A class in a module that is not open: the public constructor still works if the class is public.
        }
    }

    /**
     * Checks that a child of {@code type} can be built with {@code arg}.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static void check(Class<?> type, Object arg) {
        checkShape(type);
        if (constructorFor(type, arg) == null) {
            throw new IllegalArgumentException(type.getName() + " has no public constructor taking "
                    + (arg == null ? "null" : arg.getClass().getName()) + " and no public no-argument constructor");
        }
    }

    /**
     * Checks that a child of {@code type} can be built without an argument.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static void checkNoArg(Class<?> type) {
        checkShape(type);
        if (CONSTRUCTORS.get(type).noArg() == null) {
            throw new IllegalArgumentException(type.getName() + " has no public constructor without an argument: give "
                    + "the argument its constructor takes with ChildSpec.of(" + type.getSimpleName() + ".class, arg)");
        }
    }

    /** A concrete, static {@link Child} class: checked before any of its constructors is even looked up. */
    private static void checkShape(Class<?> type) {
        if (!Child.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(type.getName() + " does not implement " + Child.class.getName());
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException(type.getName() + " is abstract: a child class must be concrete");
        }
        if (type.isMemberClass() && !Modifier.isStatic(type.getModifiers())) {
            throw new IllegalArgumentException(type.getName()
                    + " is an inner (non-static) class: make it static or top-level so it can be built from its spec");
        }
    }

    /**
     * A new instance; what the constructor throws is rethrown as is (wrapped only if checked).
     * The class is checked again first: a spec decoded from the wire or from storage may name any
     * class its codec allows, and no constructor runs unless the class is a concrete {@link Child}.
     *
     * @throws IllegalArgumentException if the class is not a concrete, static {@link Child} or has no usable constructor
     */
    public static Child create(Class<?> type, Object arg) throws Exception {
        checkShape(type);
        Constructor<?> c = constructorFor(type, arg);
        if (c == null) {
            throw new IllegalArgumentException(type.getName() + " has no usable constructor for " + arg);
        }
        try {
            return (Child) (c.getParameterCount() == 0 ? c.newInstance() : c.newInstance(arg));
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof Exception ex) {
                throw ex;
            }
            if (t instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private static Constructor<?> constructorFor(Class<?> type, Object arg) {
        Constructors cs = CONSTRUCTORS.get(type);
        Constructor<?> assignable = null;
        for (Constructor<?> c : cs.oneArg()) {
            Class<?> p = wrap(c.getParameterTypes()[0]);
            if (arg == null) {
                if (!c.getParameterTypes()[0].isPrimitive() && assignable == null && cs.noArg() == null) {
                    assignable = c;
                }
            } else if (p == arg.getClass()) {
                return c;
            } else if (p.isInstance(arg) && assignable == null) {
                assignable = c;
            }
        }
        if (assignable != null) {
            return assignable;
        }
        return cs.noArg();
    }

    private static Class<?> wrap(Class<?> c) {
        if (!c.isPrimitive()) {
            return c;
        }
        return java.lang.invoke.MethodType.methodType(c).wrap().returnType();
    }
}
