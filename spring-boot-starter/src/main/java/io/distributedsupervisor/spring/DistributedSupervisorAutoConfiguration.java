package io.distributedsupervisor.spring;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A {@link DistributedSupervisor} from the {@code distributed-supervisor.*} properties
 * ({@link DistributedSupervisorProperties}), whose children are Spring beans
 * ({@link SpringChildInstantiator}), started and drained with the application context
 * ({@link DistributedSupervisorLifecycle}), with a health indicator when Boot's health module is
 * on the class path. Each bean backs off when the application defines its own.
 *
 * <p>The {@code DistributedSupervisor} bean can be injected anywhere; it forwards to the running
 * supervisor, and throws {@link IllegalStateException} when used before the context has been
 * refreshed or after it was closed. Its counters, gauges and timers are bound to the
 * application's Micrometer registries ({@code MicrometerListener}).
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "distributed-supervisor.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DistributedSupervisorProperties.class)
public class DistributedSupervisorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public SpringChildInstantiator distributedSupervisorChildInstantiator(ConfigurableListableBeanFactory beanFactory) {
        return new SpringChildInstantiator(beanFactory);
    }

    /**
     * The options from the properties; customize further with {@link SupervisorOptionsCustomizer}
     * beans, or define a {@code SupervisorOptions} bean of your own.
     */
    @Bean
    @ConditionalOnMissingBean
    public SupervisorOptions distributedSupervisorOptions(DistributedSupervisorProperties p,
                                                          SpringChildInstantiator instantiator,
                                                          ObjectProvider<SupervisorOptionsCustomizer> customizers) {
        SupervisorOptions.Builder b = SupervisorOptions.builder(p.getName())
                .childInstantiator(instantiator)
                .shutdownHook(false); // the context's close drains it
        if (p.getNodeName() != null) {
            b.nodeName(p.getNodeName());
        }
        if (p.getBackend() != null) {
            Map<String, String> settings = switch (p.getBackend()) {
                case "zookeeper" -> p.getZookeeper();
                case "inmemory" -> p.getInmemory();
                default -> Map.of();
            };
            b.backend(p.getBackend(), camelCaseKeys(settings));
        }
        if (!p.getAllowList().isEmpty()) {
            b.allowList(p.getAllowList());
        }
        if (!p.getNodes().isEmpty()) {
            b.nodes(p.getNodes());
        }
        if (p.getCacheChildren() != null) {
            b.cacheChildren(p.getCacheChildren());
        }
        if (p.getMonitorNodes() != null) {
            b.monitorNodes(p.getMonitorNodes());
        }
        if (p.getRebalance() != null) {
            b.rebalance(p.getRebalance());
        }
        if (p.getCallTimeout() != null) {
            b.callTimeout(p.getCallTimeout());
        }
        if (p.getDrainTimeout() != null) {
            b.drainTimeout(p.getDrainTimeout());
        }
        if (p.getSettleTime() != null) {
            b.settleTime(p.getSettleTime());
        }
        if (p.getReconcileInterval() != null) {
            b.reconcileInterval(p.getReconcileInterval());
        }
        if (p.getMaxRestarts() != null) {
            b.maxRestarts(p.getMaxRestarts());
        }
        if (p.getMaxRestartWindow() != null) {
            b.maxRestartWindow(p.getMaxRestartWindow());
        }
        if (p.getMailboxLimit() != null) {
            b.mailboxLimit(p.getMailboxLimit());
        }
        if (p.getMaxMovesPerSecond() != null) {
            b.maxMovesPerSecond(p.getMaxMovesPerSecond());
        }
        if (p.getMaxMovesInFlight() != null) {
            b.maxMovesInFlight(p.getMaxMovesInFlight());
        }
        if (p.getServiceLoaderListeners() != null) {
            b.serviceLoaderListeners(p.getServiceLoaderListeners());
        }
        customizers.orderedStream().forEach(c -> c.customize(b));
        return b.build();
    }

    /** The backend's settings are camelCase ({@code connectString}); YAML may write them so or kebab-case ({@code connect-string}). */
    static Map<String, String> camelCaseKeys(Map<String, String> settings) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        settings.forEach((k, v) -> {
            StringBuilder sb = new StringBuilder(k.length());
            boolean upper = false;
            for (char c : k.toCharArray()) {
                if (c == '-') {
                    upper = true;
                } else {
                    sb.append(upper ? Character.toUpperCase(c) : c);
                    upper = false;
                }
            }
            out.put(sb.toString(), v);
        });
        return out;
    }

    @Bean
    @ConditionalOnMissingBean
    public DistributedSupervisorLifecycle distributedSupervisorLifecycle(SupervisorOptions options) {
        return new DistributedSupervisorLifecycle(options);
    }

    /** Forwards every call to the supervisor the lifecycle runs. */
    @Bean
    @ConditionalOnMissingBean
    public DistributedSupervisor distributedSupervisor(DistributedSupervisorLifecycle lifecycle) {
        InvocationHandler forward = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "DistributedSupervisor(" + lifecycle.options().name() + " on "
                            + lifecycle.options().nodeName() + ", running=" + lifecycle.isRunning() + ")";
                };
            }
            if (method.getName().equals("close") && method.getParameterCount() == 0) {
                lifecycle.stop();
                return null;
            }
            try {
                return method.invoke(lifecycle.supervisor(), args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (DistributedSupervisor) Proxy.newProxyInstance(DistributedSupervisor.class.getClassLoader(),
                new Class<?>[] {DistributedSupervisor.class}, forward);
    }

    /**
     * The supervisor's counters, gauges and timers ({@code MicrometerListener}, of the
     * distributed-supervisor-listeners-micrometer module) on the application's registries: a
     * {@code MeterBinder} named {@code distributedSupervisorMetrics}, which Boot binds to its registry.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "distributedSupervisorMetrics")
        SupervisorMeterBinder distributedSupervisorMetrics() {
            return new SupervisorMeterBinder();
        }

        @Bean
        SupervisorOptionsCustomizer distributedSupervisorMetricsListener(SupervisorMeterBinder metrics) {
            return b -> b.listeners(java.util.List.of(metrics.listener()));
        }
    }

    /** Health from the supervisor's {@code health()} and its readiness rule. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "distributedSupervisorHealthIndicator")
        HealthIndicator distributedSupervisorHealthIndicator(DistributedSupervisorLifecycle lifecycle) {
            return new DistributedSupervisorHealthIndicator(lifecycle);
        }
    }
}
