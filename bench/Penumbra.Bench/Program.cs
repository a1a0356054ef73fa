using Penumbra.Bench;

// Usage: dotnet run -c Release --project bench/Penumbra.Bench -- [suite ...]
// Suites: matmul (default), unet (tiny-sd and full-size SD 1.5 UNet steps at 256 and 512, fp32 and bf16), load (a
// full-size SD 1.5 UNet single file: load time, peak RSS, time to first step), generate (a 25-step 256×256 SD 1.5 image end to end, fp32 and bf16), emoe (EMoE's cost as ratios of a
// guided toy image), emoe-sd15 (the same on an SD 1.5 shaped 4-expert SegMoE, bf16 256²), bypass (mid-block bypass
// overhead per UNet step), optimizer (OptimizerStep.Run against a plain AdamW step), memory (RSS and live tensors over 200 toy-model generations). Fixtures from PENUMBRA_FIXTURES or
// ../shared/fixtures. Each suite prints its timings and ratios measured in this run.
if (args is [SingleFileLoadBench.ChildCommand, var file, var dtype]) return SingleFileLoadBench.Child(file, dtype);
var suites = args.Length == 0 ? new[] { "matmul" } : args;
string fixtures = Environment.GetEnvironmentVariable("PENUMBRA_FIXTURES") ?? Path.Combine("..", "shared", "fixtures");
double peak = 0;
foreach (var suite in suites)
{
    switch (suite)
    {
        case "matmul":
            peak = MatmulPeak.Measure();
            break;
        case "unet":
            if (peak == 0) peak = MatmulPeak.Measure();
            UNetStepBench.Run(fixtures, peak);
            break;
        case "load":
            SingleFileLoadBench.Run(fixtures);
            break;
        case "generate":
            GenerationBench.Run(fixtures);
            break;
        case "emoe":
            EmoeBench.Run(Path.Combine("models", "toy-segmoe"));
            break;
        case "emoe-sd15":
            EmoeBench.RunSd15(fixtures);
            break;
        case "bypass":
            BypassBench.Overhead(fixtures, Path.Combine("models", "toy-segmoe"));
            break;
        case "optimizer":
            OptimizerStepBench.Run();
            break;
        case "memory":
            BypassBench.Memory(Path.Combine("models", "toy-segmoe"));
            break;
        default:
            Console.Error.WriteLine($"unknown suite '{suite}'; known: matmul, unet, load, generate, emoe, emoe-sd15, bypass, optimizer, memory");
            return 1;
    }
}
return 0;
