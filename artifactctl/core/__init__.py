"""Pure values and rules: digests, paths, names, specifiers, manifests, durations. No I/O."""
