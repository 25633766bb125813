package io.distributedsupervisor.spring;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildInstantiator;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Builds each incarnation of a child as a Spring bean of prototype scope, so its constructor
 * (and fields, setters, {@code @PostConstruct}) get the application's beans injected.
 *
 * <ul>
 *   <li>If the context defines exactly one bean of the child's class, it is asked for it; that
 *       bean must be of prototype scope ({@code @Scope("prototype")}), since every incarnation
 *       needs a new instance: a singleton is refused with a clear error.</li>
 *   <li>Otherwise the class need not be a bean at all: the bean factory creates and autowires
 *       a new instance ({@code AutowireCapableBeanFactory.createBean}), as it would a prototype
 *       bean (one constructor is autowired; with several, mark one {@code @Autowired}).</li>
 * </ul>
 * The spec's argument is not a constructor parameter: the child reads it as
 * {@code ctx.arg()} in {@code init} or any handler. Spring does not destroy prototype beans, so
 * clean up in {@link Child#terminate}.
 */
public final class SpringChildInstantiator implements ChildInstantiator {
    private final ConfigurableListableBeanFactory beanFactory;

    public SpringChildInstantiator(ConfigurableListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public Child instantiate(Class<? extends Child> type, Object arg) {
        String[] names = beanFactory.getBeanNamesForType(type, true, false);
        if (names.length == 1) {
            if (beanFactory.isSingleton(names[0]) || !beanFactory.isPrototype(names[0])) {
                throw new IllegalStateException("bean '" + names[0] + "' of child class " + type.getName()
                        + " is not of prototype scope: each incarnation of a child needs a new instance; "
                        + "annotate it @Scope(\"prototype\")");
            }
            return beanFactory.getBean(names[0], type);
        }
        return beanFactory.createBean(type);
    }

    @Override
    public String toString() {
        return "SpringChildInstantiator";
    }
}
