/**
 * The config file: {@link io.sluice.config.SluiceConfig} parses the YAML (with {@code ${VAR}}
 * substitution) into immutable records with defaults, and rejects an unknown key, a wrong type or
 * an invalid value with a {@link io.sluice.config.ConfigException} naming the key and the line.
 * Every key is documented in the README.
 */
package io.sluice.config;
