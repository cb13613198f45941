using Compass.Host.Commands;

namespace Compass.Host;

/// <summary>Entry point of the <c>compass</c> command line.</summary>
internal static class Program
{
    private static int Main(string[] args) => CompassCli.Run(args, Console.Out, Console.Error);
}
