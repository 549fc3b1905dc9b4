package io.latentflow.job.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.latentflow.core.model.AdversarialBatch;
import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.AdversarialModel;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A model written to Flink state and read back trains on exactly as the original. */
class AdversarialModelSerializerTest {
    private static final AdversarialConfig SMALL =
            AdversarialConfig.mlpDefaults().withHiddenUnits(16).withLatentDim(4);

    @Test
    void restoredModelContinuesTrainingWithTheSameParameters() throws Exception {
        AdversarialModel original = AdversarialModel.initialize(SMALL, 3, DataType.FLOAT);
        train(original, 1);

        DataOutputSerializer out = new DataOutputSerializer(1024);
        AdversarialModelSerializer.INSTANCE.serialize(original, out);
        AdversarialModel restored =
                AdversarialModelSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        assertEquals(original.parameterHash(), restored.parameterHash());
        assertEquals(original.step(), restored.step());

        train(original, 2);
        train(restored, 2);
        assertEquals(original.parameterHash(), restored.parameterHash());
    }

    @Test
    void copyIsIndependentOfTheOriginal() {
        AdversarialModel original = AdversarialModel.initialize(SMALL, 4, DataType.FLOAT);
        AdversarialModel copy = AdversarialModelSerializer.INSTANCE.copy(original);
        assertNotSame(original, copy);
        assertEquals(original.parameterHash(), copy.parameterHash());

        train(original, 5);
        assertEquals(
                AdversarialModel.initialize(SMALL, 4, DataType.FLOAT).parameterHash(),
                copy.parameterHash());
    }

    private static void train(AdversarialModel model, long batchSeed) {
        Nd4j.getRandom().setSeed(batchSeed);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, SMALL.dataDim());
        INDArray prior = Nd4j.randn(DataType.FLOAT, 8, SMALL.latentDim());
        INDArray noise = Nd4j.randn(DataType.FLOAT, 8, SMALL.latentDim());
        model.trainStep(AdversarialBatch.of(x, prior, noise));
    }
}
