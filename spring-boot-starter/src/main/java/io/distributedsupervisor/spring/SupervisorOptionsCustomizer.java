package io.distributedsupervisor.spring;

import io.distributedsupervisor.SupervisorOptions;

/** Adjusts the auto-configured options after the properties were applied: listeners, a move veto, a codec. */
@FunctionalInterface
public interface SupervisorOptionsCustomizer {
    void customize(SupervisorOptions.Builder builder);
}
