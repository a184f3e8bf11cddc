namespace TechMarket.Testing;

/// <summary>The servers scripts/test starts on loopback ports, found through environment variables.</summary>
public static class TestEnvironment
{
    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("TECHMARKET_TEST_PG")
        ?? throw new InvalidOperationException("TECHMARKET_TEST_PG is not set: run the tests through ./scripts/test, or start servers with scripts/dev-services.");

    public static string? SmtpHost => Environment.GetEnvironmentVariable("TECHMARKET_TEST_SMTP_HOST");

    public static int SmtpPort => int.TryParse(Environment.GetEnvironmentVariable("TECHMARKET_TEST_SMTP_PORT"), out var port) ? port : 25;

    public static string? Maildir => Environment.GetEnvironmentVariable("TECHMARKET_TEST_MAILDIR");

    public static string Chromium => Environment.GetEnvironmentVariable("TECHMARKET_TEST_CHROMIUM") ?? "/usr/bin/chromium";
}
