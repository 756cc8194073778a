package io.qwen4j.cli;

import io.qwen4j.core.model.Model;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.nio.file.Path;

/** Opens a model for a command, with a progress bar on stderr when stderr is a terminal. */
final class ModelLoading {

    private ModelLoading() {
    }

    static Model load(Path path) {
        var console = System.console();
        if (console == null || !console.isTerminal()) {
            return Model.load(path);
        }
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("loading").setInitialMax(1)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" layers", 1).continuousUpdate().build()) {
            return Model.load(path, (done, total) -> {
                bar.maxHint(total);
                bar.stepTo(done);
            });
        }
    }
}
