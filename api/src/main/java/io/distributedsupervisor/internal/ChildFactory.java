package io.distributedsupervisor.internal;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildInstantiator;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/**
 * Builds child instances from a spec's class and argument: a public constructor that takes the
 * argument, else a public no-argument one (the default {@link ChildInstantiator}), or through
 * the {@link ChildInstantiator} of the supervisor's options. Constructors are looked up once per
 * class.
 */
public final class ChildFactory {

    /** {@link ChildInstantiator#reflective()}. */
    public static final ChildInstantiator REFLECTIVE = new ChildInstantiator() {
        @Override
        public Child instantiate(Class<? extends Child> type, Object arg) throws Exception {
            return create(type, arg);
        }

        @Override
        public String toString() {
            return "ChildInstantiator.reflective()";
        }
    };

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

    /**
     * Checks only that {@code type} is a concrete, static {@link Child} class, not its
     * constructors: for children a {@link ChildInstantiator} builds.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static void checkInjectable(Class<?> type) {
        checkShape(type);
    }

    /**
     * What is wrong with a class as a child class, or "" if nothing: once per class, since every
     * spec decoded (a million, when an heir takes over) asks again, and {@code isMemberClass} is a
     * call into the VM.
     */
    private static final ClassValue<String> SHAPE_PROBLEMS = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            if (!Child.class.isAssignableFrom(type)) {
                return type.getName() + " does not implement " + Child.class.getName();
            }
            if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
                return type.getName() + " is abstract: a child class must be concrete";
            }
            if (type.isMemberClass() && !Modifier.isStatic(type.getModifiers())) {
                return type.getName()
                        + " is an inner (non-static) class: make it static or top-level so it can be built from its spec";
            }
            return "";
        }
    };

    /** A concrete, static {@link Child} class: checked before any of its constructors is even looked up. */
    private static void checkShape(Class<?> type) {
        String problem = SHAPE_PROBLEMS.get(type);
        if (!problem.isEmpty()) {
            throw new IllegalArgumentException(problem);
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

    /**
     * A new instance through {@code instantiator}: the class is checked first (no instantiator
     * sees a class that is not a concrete {@link Child}), and what it returns must be a new
     * instance of {@code type}. What the instantiator throws is rethrown as is.
     *
     * @throws IllegalArgumentException if the class is not a concrete, static {@link Child}
     * @throws IllegalStateException    if the instantiator returned null or an object of another class
     */
    @SuppressWarnings("unchecked")
    public static Child create(Class<?> type, Object arg, ChildInstantiator instantiator) throws Exception {
        if (instantiator == REFLECTIVE) {
            return create(type, arg);
        }
        checkShape(type);
        Object made = instantiator.instantiate((Class<? extends Child>) type, arg);
        if (!type.isInstance(made)) {
            throw new IllegalStateException("the ChildInstantiator " + instantiator + " returned "
                    + (made == null ? "null" : "an instance of " + made.getClass().getName())
                    + " for a child of class " + type.getName() + ": it must return a new instance of that class");
        }
        return (Child) made;
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
