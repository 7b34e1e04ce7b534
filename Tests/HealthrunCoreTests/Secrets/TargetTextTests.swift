import HealthrunCore
import Testing

/// What a result shows as its target: the URL without its credentials, query or fragment.
@Suite struct TargetTextTests {
    @Test(arguments: [
        ("https://user:key@api.example.com:8443/v1/models?key=sk-secret", "https://api.example.com:8443/v1/models"),
        ("http://127.0.0.1:8080/health", "http://127.0.0.1:8080/health"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://a:b@c:d@host/path@not-userinfo", "http://host/path@not-userinfo"),
        ("http://host?token=x@y", "http://host"),
        ("http://host#frag/ment", "http://host"),
        ("http://user@host", "http://host"),
        ("http://[::1]:9/p?q", "http://[::1]:9/p"),
        ("https://bot:TOKEN@api.telegram.org/bot123:ABC/getMe", "https://api.telegram.org/bot123:ABC/getMe"),
        ("http://héllo@hôst/päth?ü", "http://hôst/päth"),
        ("127.0.0.1:5432", "127.0.0.1:5432"),
        ("not a url", "not a url"),
        ("", ""),
        ("scheme:/one-slash@x", "scheme:/one-slash@x"),
        ("://@", "://"),
        ("a:/:/", "a:/:/"),
    ])
    func credentialsQueryAndFragmentAreLeftOut(_ url: String, _ shown: String) {
        #expect(TargetText.url(url) == shown)
    }
}
