namespace EhrR1.Graph.Training.Training;

/// <summary>Linear warmup to the peak rate over ceil(ratio · total) steps, then cosine decay to 0 (HF "cosine").</summary>
public static class CosineSchedule
{
    public static int WarmupSteps(int totalSteps, double warmupRatio) => (int)Math.Ceiling(totalSteps * warmupRatio);

    public static double LearningRate(int step, int totalSteps, double peak, double warmupRatio)
    {
        var warmup = WarmupSteps(totalSteps, warmupRatio);
        if (step < warmup)
        {
            return peak * (step + 1) / warmup;
        }

        var progress = (double)(step - warmup) / Math.Max(1, totalSteps - warmup);
        return peak * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, progress)));
    }
}
