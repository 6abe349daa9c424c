/**
 * Virtual keys: the record of the compacted {@code llm.keys} topic ({@link
 * io.sluice.keys.VirtualKey}, JSON, only the key's SHA-256), making and hashing keys ({@link
 * io.sluice.keys.KeySecrets}), and the in-memory {@link io.sluice.keys.KeysReader} every front door
 * and gateway instance follows the topic with. The plaintext of a key is never stored, logged or
 * measured.
 */
package io.sluice.keys;
