using Spectre.Console;
using Spectre.Console.Rendering;

namespace Penumbra.Cli.Commands;

/// <summary>Progress column showing work units per second.</summary>
public sealed class AuditRateColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Text(task.Speed is double s ? $"{s:F2}/s" : "-/s", new Style(Color.Grey));
}
