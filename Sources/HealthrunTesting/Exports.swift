// Tests that use the loopback HTTP server and the provider imitations get them with
// HealthrunTesting: they live in HealthrunDemo, which `healthrun demo` ships.
@_exported public import HealthrunDemo
