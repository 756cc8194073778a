package io.qwen4j.cli;

import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.RopeScaling;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.nio.file.Path;

/** Opens a model for a command, with a progress bar on stderr when stderr is a terminal. */
final class ModelLoading {

    private ModelLoading() {
    }

    static Model load(Path path) {
        return load(path, (RopeScaling) null);
    }

    /** Loads with the run-time options that change the model (a position-scaling override). */
    static Model load(Path path, RuntimeOptions runtime) {
        return load(path, runtime == null ? null : runtime.ropeScalingOverride());
    }

    private static Model load(Path path, RopeScaling rope) {
        var console = System.console();
        if (console == null || !console.isTerminal()) {
            return Model.load(path, rope, null);
        }
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("loading").setInitialMax(1)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" layers", 1).continuousUpdate().build()) {
            return Model.load(path, rope, (done, total) -> {
                bar.maxHint(total);
                bar.stepTo(done);
            });
        }
    }
}
