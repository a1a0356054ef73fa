namespace Penumbra.Cli;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs its handler at once on the reporting thread. <see cref="Progress{T}"/> posts
/// each report to the thread pool (a console app has no synchronization context), so its handlers run late, possibly
/// out of order, and allocate on another thread while the worker sits in native torch code: a garbage collection started
/// there can finalize a TorchSharp <c>Scalar</c> the worker passed implicitly and native code still reads (TorchSharp
/// 0.107 does not keep them alive; "Expected false to be true" from <c>c10::Scalar</c>, seen in <c>clamp_min</c> during
/// <c>uncertainty evaluate-toy</c>). Inline handlers keep the CLI's allocations on the worker's own thread.
/// </summary>
public sealed class InlineProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
