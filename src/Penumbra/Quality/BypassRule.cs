namespace Penumbra.Quality;

/// <summary>
/// How the mid-block output is mixed with its input at strength g (the paper's exact rule is unverified, so both
/// readings are kept; see <c>shared/methods/midblock-bypass.md</c>).
/// </summary>
public enum BypassRule
{
    /// <summary>h_mid = h_in + g·(Mid(h_in) − h_in): g = 1 is the plain model, g = 0 skips the mid block.</summary>
    Interpolate,

    /// <summary>h_mid = g·Mid(h_in): the block's output scaled, without the identity path.</summary>
    Scale,
}
