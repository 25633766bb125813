package io.distributedsupervisor.tck;

import io.distributedsupervisor.Child;

/** A child class for the specs the TCK stores; the TCK never runs it. */
public class TckChild implements Child {
    public TckChild(String arg) {
    }
}
