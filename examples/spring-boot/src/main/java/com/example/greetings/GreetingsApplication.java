package com.example.greetings;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** Starts one child per name given on the command line (default: alice), greets through it, and exits; the close drains. */
@SpringBootApplication
public class GreetingsApplication {

    public static void main(String[] args) {
        SpringApplication.exit(SpringApplication.run(GreetingsApplication.class, args));
    }

    @Bean
    ApplicationRunner greet(DistributedSupervisor supervisor) {
        return args -> {
            var names = args.getNonOptionArgs().isEmpty() ? java.util.List.of("alice") : args.getNonOptionArgs();
            for (String name : names) {
                supervisor.startChild(ChildSpec.injected(GreetingChild.class, name).withId(name));
                System.out.println(supervisor.<String>call(name, "hello"));
                System.out.println(supervisor.<String>call(name, "hello again"));
            }
        };
    }
}
