namespace Penumbra.Quality;

/// <summary>The shape of a <see cref="BypassSchedule"/> over the sampling steps.</summary>
public enum BypassFamily
{
    /// <summary>g at every step (<c>const:G</c>).</summary>
    Constant,

    /// <summary>g moves linearly from a start to an end value across a window of the run, 1 outside it (<c>ramp:A->B[@F0-F1]</c>).</summary>
    Ramp,

    /// <summary>g inside a window of the run, 1 outside it (<c>window:G@F0-F1</c>).</summary>
    Window,
}
