using System.Diagnostics;
using System.Globalization;

namespace TechMarket.Orders.Floor;

/// <summary>CPU readings from /proc: a process, a PostgreSQL server (postmaster and its children), the machine.</summary>
internal static class Measure
{
    public static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>utime + stime (+ reaped children's when asked) of one process, in ticks; 0 if it is gone.</summary>
    public static long ProcessTicks(int pid, bool withChildren = false)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // after "pid (comm) ": state=0 ppid=1 … utime=11 stime=12 cutime=13 cstime=14
            var ticks = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
            return withChildren ? ticks + long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture) : ticks;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static int ParentOf(string statText)
    {
        var f = statText[(statText.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(f[1], CultureInfo.InvariantCulture);
    }

    /// <summary>The postmaster listening on the given port (its command line carries "-p port").</summary>
    public static int? Postmaster(int port)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var args = File.ReadAllText($"{dir}/cmdline").Split('\0');
                var at = Array.IndexOf(args, "-p");
                if (args[0].EndsWith("/postgres", StringComparison.Ordinal) && at > 0 && at + 1 < args.Length && args[at + 1] == port.ToString(CultureInfo.InvariantCulture))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return null;
    }

    /// <summary>CPU ticks of the whole PostgreSQL server: the postmaster (with its reaped children) and its live children.</summary>
    public static long ServerTicks(int postmaster)
    {
        var total = ProcessTicks(postmaster, withChildren: true);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == postmaster)
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText($"{dir}/stat");
                if (ParentOf(stat) == postmaster)
                {
                    total += ProcessTicks(pid);
                }
            }
            catch (IOException)
            {
            }
        }

        return total;
    }

    /// <summary>(busy, total) ticks of all CPUs since boot.</summary>
    public static (long Busy, long Total) Machine()
    {
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = f[3] + f[4];
        var total = f.Sum();
        return (total - idle, total);
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public static double P(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        return values[Math.Min(values.Count - 1, (int)Math.Ceiling(q * values.Count) - 1)];
    }

    public static string P50P99(List<double> values) => string.Create(CultureInfo.InvariantCulture, $"{P(values, 0.5):0.00}/{P(values, 0.99):0.00}");

    /// <summary>Readings at the start and end of a measured phase.</summary>
    public sealed class Window
    {
        private readonly int? app;
        private readonly int? postmaster;
        private long app0, pg0, busy0, total0;
        private TimeSpan self0;
        private readonly Stopwatch clock = new();

        public Window(int? appPid, int? pgPort)
        {
            app = appPid;
            postmaster = pgPort is { } port ? Postmaster(port) : null;
        }

        public string LoadAtStart { get; private set; } = "";
        public string LoadAtEnd { get; private set; } = "";
        public double Seconds { get; private set; }
        public double AppCpuSeconds { get; private set; }
        public double PostgresCpuSeconds { get; private set; }
        public double SelfCpuSeconds { get; private set; }
        public double MachineBusyCores { get; private set; }
        public bool HasPostgres => postmaster is not null;

        public void Start()
        {
            LoadAtStart = LoadAverage();
            app0 = app is { } a ? ProcessTicks(a) : 0;
            pg0 = postmaster is { } p ? ServerTicks(p) : 0;
            (busy0, total0) = Machine();
            self0 = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
        }

        public void Stop()
        {
            Seconds = clock.Elapsed.TotalSeconds;
            SelfCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - self0).TotalSeconds;
            AppCpuSeconds = app is { } a ? (ProcessTicks(a) - app0) / TicksPerSecond : 0;
            PostgresCpuSeconds = postmaster is { } p ? (ServerTicks(p) - pg0) / TicksPerSecond : 0;
            var (busy, total) = Machine();
            MachineBusyCores = (busy - busy0) / (double)(total - total0) * Environment.ProcessorCount;
            LoadAtEnd = LoadAverage();
        }
    }
}
