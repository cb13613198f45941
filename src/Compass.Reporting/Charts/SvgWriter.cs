using System.Globalization;
using System.Text;

namespace Compass.Reporting.Charts;

/// <summary>A minimal, deterministic SVG element writer over a <see cref="StringBuilder"/>.</summary>
internal sealed class SvgWriter
{
    private readonly StringBuilder _sb = new();
    private bool _tagOpen;

    public SvgWriter Start(string tag)
    {
        CloseStartTag();
        _sb.Append('<').Append(tag);
        _tagOpen = true;
        return this;
    }

    public SvgWriter Attr(string name, string value)
    {
        _sb.Append(' ').Append(name).Append("=\"").Append(Format.Escape(value)).Append('"');
        return this;
    }

    public SvgWriter Px(string name, double value)
    {
        _sb.Append(' ').Append(name).Append("=\"").Append(Format.Pixel(value)).Append('"');
        return this;
    }

    public SvgWriter Data(string name, double value)
    {
        _sb.Append(" data-").Append(name).Append("=\"").Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('"');
        return this;
    }

    /// <summary>Ends an element without content.</summary>
    public void End()
    {
        _sb.Append("/>\n");
        _tagOpen = false;
    }

    /// <summary>Writes escaped text content and closes the element.</summary>
    public void Text(string tag, string text)
    {
        CloseStartTag();
        _sb.Append(Format.Escape(text)).Append("</").Append(tag).Append(">\n");
    }

    /// <summary>Closes an element that has child elements.</summary>
    public void Close(string tag)
    {
        CloseStartTag();
        _sb.Append("</").Append(tag).Append(">\n");
    }

    /// <summary>Writes a child <c>title</c> (a native tooltip) and closes the element.</summary>
    public void WithTitle(string tag, string title)
    {
        CloseStartTag();
        _sb.Append("<title>").Append(Format.Escape(title)).Append("</title></").Append(tag).Append(">\n");
    }

    public void Raw(string markup)
    {
        CloseStartTag();
        _sb.Append(markup);
    }

    private void CloseStartTag()
    {
        if (!_tagOpen) return;
        _sb.Append('>');
        _tagOpen = false;
    }

    public override string ToString()
    {
        CloseStartTag();
        return _sb.ToString();
    }
}
