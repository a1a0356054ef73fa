namespace Penumbra.IO;

/// <summary>A checkpoint or config file that cannot be read; the message names the file and the reason.</summary>
public sealed class CheckpointFormatException : Exception
{
    public CheckpointFormatException(string path, string reason, Exception? inner = null)
        : base($"{path}: {reason}", inner)
    {
        FilePath = path;
        Reason = reason;
    }

    public string FilePath { get; }
    public string Reason { get; }
}
