import HealthrunCLI

/// `healthrun`: the built-in checker types and reporters, nothing added.
@main
struct Healthrun {
    static func main() async {
        await HealthrunMain.main()
    }
}
