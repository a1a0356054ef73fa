using Penumbra.Models.Unets;

namespace Penumbra.Pipelines.StableDiffusion;

/// <summary>
/// Changes how the UNet runs at one denoising step (e.g. the mid-block bypass): <see cref="BeginStep"/> is called
/// before the step's UNet call and the returned object is disposed right after it. Implementations use the UNet's
/// taps, so a pipeline with no modifier runs the plain model.
/// </summary>
public interface IDenoisingModifier
{
    /// <summary>A short description recorded in the PNG parameters (e.g. <c>bypass linear g_min=0.5 rho=0.3</c>).</summary>
    string Describe();

    IDisposable? BeginStep(UNet2DConditionModel unet, int step, int totalSteps);
}
