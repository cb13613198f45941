namespace Compass.Workloads.Lengths;

/// <summary>Published length statistics of one dataset, and the fitted prompt/output distributions.</summary>
/// <param name="Name">Name the scenario uses (<c>sharegpt</c>).</param>
/// <param name="Description">One-line description with the headline means.</param>
/// <param name="PromptMean">Published prompt mean (tokens).</param>
/// <param name="PromptMedian">Published prompt median, or null when not published.</param>
/// <param name="OutputMean">Published output mean (tokens).</param>
/// <param name="OutputMedian">Published output median, or null when not published.</param>
/// <param name="Source">Source of the statistics and how the fit is built.</param>
public sealed record DatasetLengthStatistics(
    string Name,
    string Description,
    double PromptMean,
    double? PromptMedian,
    double OutputMean,
    double? OutputMedian,
    string Source)
{
    /// <summary>Builds the fitted length model.</summary>
    public required Func<IndependentLengthModel> Build { get; init; }
}

/// <summary>
/// Empirical length models fitted to the published statistics of docs/reference/traces.md §1. Each fit is a
/// <see cref="QuantileKnotLength"/> through the published median / p90 / p99 / max with its mean matched exactly,
/// and 1 token at u = 0 (the smallest possible count: minima are not published). Prompt and output are drawn
/// independently (the published tables give marginals only). Where only a mean is published (Alpaca) the shape is a
/// lognormal with an assumed σ, said so in its entry.
/// </summary>
public static class DatasetLengths
{
    private static readonly double[] MedianP90P99Max = [0, 0.5, 0.9, 0.99, 1.0];
    private static readonly double[] MedianP90Max = [0, 0.5, 0.9, 1.0];
    private static readonly double[] DecileKnots = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0];

    /// <summary>
    /// σ assumed for Alpaca's lognormal shape. Only the means are published (vLLM paper, [unverified] in docs/reference/traces.md);
    /// σ = 0.6 gives a median of mean / e^0.18 ≈ 0.84 × mean, a mildly skewed instruction-length distribution.
    /// </summary>
    public const double AlpacaAssumedSigma = 0.6;

    /// <summary>
    /// Cap for traces published as "4K-truncated" by Vidur (LMSYS-Chat-1M, Bilingual-Web-Book) whose maximum is not
    /// published: the truncation length 4096 is used as the u = 1 knot.
    /// </summary>
    public const int VidurTruncationTokens = 4096;

    /// <summary>Every dataset fit, by name.</summary>
    public static IReadOnlyList<DatasetLengthStatistics> All { get; } =
    [
        Knots5("sharegpt", "ShareGPT first turns filtered to prompt + output <= 2048 (vLLM SOSP'23 set, OPT tokenizer)",
            "sosp-ae-39/sosp-ae-astra datasets/sharegpt_opt_text_completion_length.pkl, filtered; statistics [computed] in docs/reference/traces.md §1; means reproduce the vLLM paper",
            prompt: (161.31, [1, 35, 507, 1464, 2028]), output: (337.99, [1, 271, 754, 1280, 2009])),
        Knots5("sharegpt-unfiltered", "ShareGPT first turns, unfiltered (vLLM SOSP'23 artifact, OPT tokenizer), heavy tail to 162k",
            "sosp-ae-39/sosp-ae-astra sharegpt_opt_text_completion_length.pkl, all 84,226 first turns; [computed] in docs/reference/traces.md §1",
            prompt: (295.6, [1, 40, 837, 3370, 162307]), output: (358.0, [1, 275, 771, 1466, 33344])),
        new DatasetLengthStatistics("alpaca", "Alpaca instructions (vLLM paper means, OPT tokenizer); lognormal shape assumed",
            19.31, null, 58.45, null,
            "vLLM paper (Kwon et al., SOSP'23) means 19.31 / 58.45 ([unverified] in docs/reference/traces.md §1); lognormal with assumed sigma 0.6, capped at 2048")
        {
            Build = () => new IndependentLengthModel("alpaca",
                new LogNormalLength(19.31, 19.31 * Math.Exp(-AlpacaAssumedSigma * AlpacaAssumedSigma / 2), 2048),
                new LogNormalLength(58.45, 58.45 * Math.Exp(-AlpacaAssumedSigma * AlpacaAssumedSigma / 2), 2048),
                "vLLM paper means; assumed lognormal shape"),
        },
        Knots4("lmsys", "LMSYS-Chat-1M as processed by Vidur (4K-truncated, Llama-2 tokenizer)",
            "microsoft/vidur dashboard intro_page.py: mean / median / p90 [verified] in docs/reference/traces.md §1; max = 4096 truncation assumed",
            prompt: (686, [1, 417, 1678, VidurTruncationTokens]), output: (197, [1, 139, 484, VidurTruncationTokens])),
        Knots5("azure-code", "Azure LLM inference 2023 code trace: long prompts (mean 2048), short outputs (mean 27.9)",
            "Azure/AzurePublicDataset data/AzureLLMInferenceTrace_code.csv, 8,819 requests; [computed] in docs/reference/traces.md §1",
            prompt: (2048, [1, 1469, 5188, 7436, 7437]), output: (27.9, [1, 13, 55, 251.5, 1899])),
        Knots5("azure-conv", "Azure LLM inference 2023 conversation trace: prompts mean 1155, outputs mean 211",
            "Azure/AzurePublicDataset data/AzureLLMInferenceTrace_conv.csv, 19,366 requests; [computed] in docs/reference/traces.md §1",
            prompt: (1155, [1, 1020, 2734, 4142, 14050]), output: (211, [1, 129, 424, 601, 1000])),
        Knots5("arxiv", "Arxiv summarization as processed by Vidur (<= 4K, Llama-2 tokenizer): prompts mean 2588",
            "microsoft/vidur data/processed_traces/arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv, 28,257 requests; [computed] in docs/reference/traces.md §1",
            prompt: (2588, [1, 2730, 3702, 3933, 4054]), output: (291, [1, 167, 372, 3271, 4056])),
        Knots4("bilingual-web-book", "Bilingual-Web-Book as processed by Vidur (4K): short prompts, long outputs (mean 1612)",
            "microsoft/vidur dashboard: mean / median / p90 [verified] in docs/reference/traces.md §1; max = 4096 truncation assumed",
            prompt: (1067, [1, 1037, 1453, VidurTruncationTokens]), output: (1612, [1, 1601, 2149, VidurTruncationTokens])),
        Knots5("mooncake-conversation", "Mooncake FAST'25 conversation trace: long-context prompts (mean 12,035, max 126k)",
            "kvcache-ai/Mooncake FAST25-release/traces/conversation_trace.jsonl, 12,031 requests; [computed] in docs/reference/traces.md §1",
            prompt: (12035, [1, 6909, 27367, 85400, 126195]), output: (343, [1, 350, 597, 1119, 2000])),
        Knots("govreport", "GovReport summarization (ccdv/govreport-summarization train, report -> summary; GPT-4 tiktoken): prompts mean 9652, p90 17150, max 306808",
            "published Compass config/govreport_{input,output}_token_lens.json (lllbbbyyy/Compass, commit b628b71), 17,517 pairs; min/p10/p25/p50/p75/p90/p99/max [computed] in docs/reference/traces.md; prompts beyond a model's context are kept (the published experiments build one block from the length lists without a position limit)",
            DecileKnots,
            prompt: (9652, [73, 3314, 4997, 8026, 12130, 17150, 37240, 306808]), output: (602.5, [23, 280, 475, 621, 751, 860, 1029, 2304])),
        Knots("cnndm", "CNN/DailyMail summarization (published Compass length lists, GPT-4 tiktoken): prompts mean 857, outputs mean 65",
            "published Compass config/cnndm_{input,output}_token_lens.json (lllbbbyyy/Compass, commit 1ddd0b6); statistics from a 9k/12k-entry sample at the start, middle and end of the ordered files, so approximate; [computed] in docs/reference/traces.md",
            DecileKnots,
            prompt: (857.2, [30, 402, 556, 790, 1078, 1406, 2084, 2555]), output: (64.7, [11, 41, 48, 60, 74, 97, 152, 1223])),
        new DatasetLengthStatistics("sharegpt-compass", "ShareGPT as the published Compass experiments drew it: gamma fits to ShareGPT52K (prompts mean 81.9, outputs mean 480.6)",
            CompassShareGptPromptShape * CompassShareGptPromptScale, 42.44, CompassShareGptOutputShape * CompassShareGptOutputScale, 356.70,
            "published Compass config/simulated_sharegpt_*_lengths.json: 20,000 draws from gamma(k 0.588, theta 139.2) prompts and gamma(k 1.211, theta 396.9) outputs, rounded and clipped to >= 1 (commit 5e13d5c). Means k*theta 81.85 / 480.6 (sample 81.9 / 480.6); medians are the fitted gammas' exact medians 42.44 / 356.70 (the ~4k/3k-entry sample read in docs/reference/traces.md has 39 / 349)")
        {
            Build = () => new IndependentLengthModel("sharegpt-compass",
                new GammaLength(CompassShareGptPromptShape, CompassShareGptPromptScale),
                new GammaLength(CompassShareGptOutputShape, CompassShareGptOutputScale),
                "published Compass gamma fits to ShareGPT52K"),
        },
    ];

    /// <summary>Gamma shape k of the published Compass ShareGPT prompt fit (docs/reference/traces.md).</summary>
    public const double CompassShareGptPromptShape = 0.588;

    /// <summary>Gamma scale θ (tokens) of the published Compass ShareGPT prompt fit.</summary>
    public const double CompassShareGptPromptScale = 139.2;

    /// <summary>Gamma shape k of the published Compass ShareGPT output fit.</summary>
    public const double CompassShareGptOutputShape = 1.211;

    /// <summary>Gamma scale θ (tokens) of the published Compass ShareGPT output fit.</summary>
    public const double CompassShareGptOutputScale = 396.9;

    /// <summary>Finds a dataset fit by name (case-insensitive), or null.</summary>
    public static DatasetLengthStatistics? Find(string name)
    {
        foreach (var d in All)
            if (string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) return d;
        return null;
    }

    private static DatasetLengthStatistics Knots5(string name, string description, string source, (double Mean, double[] Knots) prompt, (double Mean, double[] Knots) output)
        => Knots(name, description, source, MedianP90P99Max, prompt, output);

    private static DatasetLengthStatistics Knots4(string name, string description, string source, (double Mean, double[] Knots) prompt, (double Mean, double[] Knots) output)
        => Knots(name, description, source, MedianP90Max, prompt, output);

    private static DatasetLengthStatistics Knots(string name, string description, string source, double[] probabilities, (double Mean, double[] Knots) prompt, (double Mean, double[] Knots) output)
        => new(name, description, prompt.Mean, prompt.Knots[Array.IndexOf(probabilities, 0.5)], output.Mean, output.Knots[Array.IndexOf(probabilities, 0.5)], source)
        {
            Build = () => new IndependentLengthModel(name,
                new QuantileKnotLength(probabilities, prompt.Knots, prompt.Mean),
                new QuantileKnotLength(probabilities, output.Knots, output.Mean),
                source),
        };
}
