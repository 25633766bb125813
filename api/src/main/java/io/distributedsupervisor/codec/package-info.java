/**
 * The message codecs: {@link io.distributedsupervisor.codec.CborCodec}, the default (CBOR
 * through Jackson, no back-references, limits on size, depth and work), and
 * {@link io.distributedsupervisor.codec.JavaSerializationCodec}, an opt-in for trusted networks
 * and compatibility. Both refuse, before loading it, every class their
 * {@link io.distributedsupervisor.codec.AllowList} does not allow.
 */
package io.distributedsupervisor.codec;
