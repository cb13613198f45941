namespace Compass.Abstractions.Plugins;

/// <summary>
/// A user-caused error: a bad scenario value, an unknown name, an infeasible problem, a malformed trace row.
/// The host prints <see cref="Exception.Message"/> as one line (<c>field: reason</c>) and exits with code 2.
/// </summary>
public sealed class CompassInputException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="field">Dotted path of the offending field (<c>package.link.bandwidthGBps</c>), file and line, or component name.</param>
    /// <param name="reason">What is wrong, with the value seen (<c>must be &gt; 0, got -3</c>).</param>
    public CompassInputException(string field, string reason)
        : base($"{field}: {reason}")
    {
        Field = field;
        Reason = reason;
    }

    /// <summary>Creates the error with an inner exception.</summary>
    public CompassInputException(string field, string reason, Exception inner)
        : base($"{field}: {reason}", inner)
    {
        Field = field;
        Reason = reason;
    }

    /// <summary>Creates an error with a message only (field unknown).</summary>
    public CompassInputException() : this("input", "invalid") { }

    /// <summary>Creates an error with a message only (field unknown).</summary>
    public CompassInputException(string message) : this("input", message) { }

    /// <summary>Creates an error with a message only (field unknown).</summary>
    public CompassInputException(string message, Exception inner) : this("input", message, inner) { }

    /// <summary>The dotted path of the offending field.</summary>
    public string Field { get; }

    /// <summary>The reason, without the field.</summary>
    public string Reason { get; }
}
