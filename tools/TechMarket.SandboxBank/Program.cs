namespace TechMarket.SandboxBank;

// The sandbox bank: a stand-in payment institution speaking the Alipay open-platform web payment protocol.
//   dotnet TechMarket.SandboxBank.dll --urls http://127.0.0.1:5080
// Configuration (Bank:*): AppId, PrivateKey (its own), MerchantPublicKey, NotifySchedule, DuplicateDeliveries.
// A named entry class, not top-level statements: the main app references this assembly and has its own Program.
internal static class BankProgram
{
    public static async Task Main(string[] args) => await SandboxBankHost.Build(args).RunAsync();
}
