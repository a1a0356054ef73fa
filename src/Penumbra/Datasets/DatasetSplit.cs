namespace Penumbra.Datasets;

/// <summary>Split codes as in the Waterbirds metadata and CelebA's list_eval_partition: 0 train, 1 validation, 2 test.</summary>
public enum DatasetSplit
{
    Train = 0,
    Val = 1,
    Test = 2,
}
