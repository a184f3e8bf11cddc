namespace TechMarket.Payments;

public sealed class PaymentsOptions
{
    public const string Section = "Payments";

    /// <summary>Share of each release kept by the platform (0.05 = 5 %), rounded half away from zero to the fen.</summary>
    public decimal PlatformFeeRate { get; set; } = 0.05m;

    /// <summary>Absolute base URL the payment institution calls back (notify_url) and returns the payer to.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";

    public string DefaultGateway { get; set; } = "alipay";

    /// <summary>How often unsettled payments are looked up at the provider (the "callback never arrived" case).</summary>
    public TimeSpan PendingSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A payment is asked about once it has waited this long for its callback.</summary>
    public TimeSpan PendingQueryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Payments waiting longer than this are no longer queried.</summary>
    public TimeSpan PendingGiveUpAfter { get; set; } = TimeSpan.FromDays(2);

    public bool BackgroundJobs { get; set; } = true;

    /// <summary>How often each node checks whether yesterday's reconciliation has run.</summary>
    public TimeSpan ReconciliationInterval { get; set; } = TimeSpan.FromHours(1);
}

public sealed class SandboxBankOptions
{
    public const string Section = "Payments:SandboxBank";

    /// <summary>Host the sandbox bank inside this process (embedded setup, ADR 0010). Unset: on in Development only.</summary>
    public bool? Autostart { get; set; }

    public string Url { get; set; } = "http://127.0.0.1:5081";

    /// <summary>Where the generated demo key pairs are kept so restarts keep the same keys.</summary>
    public string KeyFolder { get; set; } = "data/sandbox-bank";
}
