using System.Text.RegularExpressions;
using System.Xml.Linq;
using Compass.Reporting.Files;
using Compass.Reporting.Html;

namespace Compass.Reporting.Tests.Html;

public sealed class DemoReportTests
{
    [Fact]
    public void RealisticSizeReportParsesAndStaysUnderOneMegabyte()
    {
        var data = DemoData.Run();
        var html = HtmlReport.Run(data);
        Assert.True(html.Length < 1_000_000, $"report is {html.Length} characters");
        var svgs = Regex.Matches(html, "<svg.*?</svg>", RegexOptions.Singleline).Select(m => XDocument.Parse(m.Value)).ToList();
        Assert.Equal(5, svgs.Count);
        Assert.Equal(data.SearchLog.Count(r => r.IsValid), svgs[1].Descendants("circle").Count(c => (string?)c.Attribute("class") == "pt"));
        Assert.Equal(data.Timeline!.Tasks.Count, svgs[4].Descendants("rect").Count(r => (string?)r.Attribute("class") == "task"));

        // Set COMPASS_REPORT_DEMO_OUT to keep the folder (scripts/screenshot-report.sh renders it).
        var keep = Environment.GetEnvironmentVariable("COMPASS_REPORT_DEMO_OUT");
        if (!string.IsNullOrEmpty(keep)) ReportFiles.WriteRun(keep, data);
    }

    [Fact]
    public void RealisticStudyReportParses()
    {
        var data = DemoData.Comparison();
        var html = HtmlReport.Comparison(data);
        var svgs = Regex.Matches(html, "<svg.*?</svg>", RegexOptions.Singleline).Select(m => XDocument.Parse(m.Value)).ToList();
        Assert.Equal(2, svgs.Count);
        Assert.Equal(3, svgs[0].Descendants("path").Count(p => (string?)p.Attribute("class") == "band"));
        Assert.Equal(data.Runs.Count, svgs[1].Descendants("circle").Count(c => (string?)c.Attribute("class") == "dot"));
        var keep = Environment.GetEnvironmentVariable("COMPASS_REPORT_DEMO_OUT");
        if (!string.IsNullOrEmpty(keep)) ReportFiles.WriteComparison(keep + "-study", data);
    }
}
