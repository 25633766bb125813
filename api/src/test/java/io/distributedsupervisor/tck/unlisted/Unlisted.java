package io.distributedsupervisor.tck.unlisted;

/** A payload whose class the suite's allow-list does not name: a codec refuses it unless told otherwise. */
public record Unlisted(String text) {
}
