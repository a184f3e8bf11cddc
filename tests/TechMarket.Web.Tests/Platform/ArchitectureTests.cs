using System.Reflection;

namespace TechMarket.Web.Tests.Platform;

public sealed class ArchitectureTests
{
    // Modules may use the Kernel; of each other only Identity's public UI pieces (the verified badge). ADR 0001.
    private static readonly HashSet<string> AllowedModuleDependencies = ["TechMarket.Identity"];

    [Fact]
    public void Modules_do_not_reach_into_each_other()
    {
        var host = typeof(Program).Assembly;
        var modules = host.GetReferencedAssemblies()
            .Where(a => a.Name is { } name && name.StartsWith("TechMarket.", StringComparison.Ordinal) && name != "TechMarket.Kernel" && !name.StartsWith("TechMarket.Migrations", StringComparison.Ordinal))
            .Select(Assembly.Load)
            .ToList();
        var moduleNames = modules.Select(m => m.GetName().Name!).ToHashSet();

        Assert.Contains("TechMarket.Identity", moduleNames);
        foreach (var module in modules)
        {
            var illegal = module.GetReferencedAssemblies()
                .Select(a => a.Name!)
                .Where(name => moduleNames.Contains(name) && !AllowedModuleDependencies.Contains(name))
                .ToList();
            Assert.True(illegal.Count == 0, $"{module.GetName().Name} references {string.Join(", ", illegal)}");
        }
    }

    [Fact]
    public void Kernel_depends_on_no_module()
    {
        var kernel = typeof(TechMarket.Kernel.KernelModule).Assembly;

        Assert.DoesNotContain(kernel.GetReferencedAssemblies(), a => a.Name!.StartsWith("TechMarket.", StringComparison.Ordinal));
    }
}
