using TechMarket.Kernel.Persistence;

namespace TechMarket.Testing;

/// <summary>Every integration test body runs once per provider: the embedded default and production's.</summary>
public static class Databases
{
    public static IEnumerable<object[]> Both =>
    [
        [DatabaseProvider.Sqlite],
        [DatabaseProvider.Postgres],
    ];
}
