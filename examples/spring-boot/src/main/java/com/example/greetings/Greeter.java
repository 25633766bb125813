package com.example.greetings;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/** An ordinary application service that children get injected. */
@Service
public class Greeter {
    private final String node;

    public Greeter(@Value("${distributed-supervisor.node-name}") String node) {
        this.node = node;
    }

    public String greet(String name, String message, int count) {
        return message + ", " + name + " (#" + count + ", from node " + node + ")";
    }
}
