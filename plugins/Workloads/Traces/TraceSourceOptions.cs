using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Workloads.Lengths;
using Microsoft.Extensions.Configuration;

namespace Compass.Workloads.Traces;

/// <summary>Builds trace sources from their scenario options, validating every value up front.</summary>
public static class TraceSourceOptions
{
    /// <summary>Default number of generated requests.</summary>
    public const int DefaultRequests = 1000;

    /// <summary>
    /// Creates a generator. Common options: <c>requests</c> (count, default 1000), <c>lengths</c> (see
    /// <see cref="LengthModelOptions"/>). <c>poisson</c>: ratePerSecond (1). <c>gamma</c>: ratePerSecond (1), cv (0.5, Vidur's
    /// default). <c>burst</c>: burstSize (32), burstGapSeconds (10), inBurstRatePerSecond (0 = simultaneous).
    /// </summary>
    public static ITraceSource CreateGenerator(IConfiguration options, string arrivalKind)
    {
        ArgumentNullException.ThrowIfNull(options);
        IArrivalProcess arrivals;
        switch (arrivalKind)
        {
            case "poisson":
                options.RejectUnknownKeys("requests", "lengths", "ratePerSecond");
                arrivals = new PoissonArrivals(options.GetPositiveDouble("ratePerSecond", 1.0));
                break;
            case "gamma":
                options.RejectUnknownKeys("requests", "lengths", "ratePerSecond", "cv");
                arrivals = new GammaArrivals(options.GetPositiveDouble("ratePerSecond", 1.0), options.GetDouble("cv", 0.5, 0.01, 100));
                break;
            case "burst":
                options.RejectUnknownKeys("requests", "lengths", "burstSize", "burstGapSeconds", "inBurstRatePerSecond");
                arrivals = new BurstArrivals(
                    options.GetInt32("burstSize", 32, 1),
                    options.GetDouble("burstGapSeconds", 10.0, 0, 1e9),
                    options.GetDouble("inBurstRatePerSecond", 0.0, 0, 1e12));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(arrivalKind), arrivalKind, "unknown arrival process");
        }

        var requests = options.GetInt32("requests", DefaultRequests, 1);
        return new GeneratedTraceSource(arrivals, LengthModelOptions.Read(options), requests);
    }

    /// <summary>
    /// Creates a file reader. Options: <c>path</c> (required, must exist), <c>requests</c> (stop after this many, 0 = all),
    /// <c>zeroTokens</c> (error | skip | clamp, default error).
    /// </summary>
    public static ITraceSource CreateReader(IConfiguration options, TraceFileFormat format)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RejectUnknownKeys("path", "requests", "zeroTokens");
        var path = options.GetRequiredString("path");
        if (!File.Exists(path)) throw new CompassInputException(OptionsReader.PathOf(options, "path"), $"file not found: '{path}'");
        var requests = options.GetInt64("requests", 0, 0);
        var zero = options.GetEnum("zeroTokens", ZeroTokenPolicy.Error);
        return new TraceFileSource(format, new TraceFileOptions(path, requests, zero));
    }
}
