#!/usr/bin/python3
# The classic Keras program -- TensorFlow's "Basic classification: classify
# images of clothing" tutorial -- training on the simulated NPU. The only
# change from the TensorFlow version is the import line
# (`from tensorflow import keras` -> `from npu import keras`).
#
#   PYTHONPATH=build/python /usr/bin/python3 examples/fashion_mnist_keras.py
import numpy as np
from npu import keras

fashion_mnist = keras.datasets.fashion_mnist
(train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()

class_names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
               'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']

train_images = train_images / 255.0
test_images = test_images / 255.0

model = keras.Sequential([
    keras.layers.Flatten(input_shape=(28, 28)),
    keras.layers.Dense(128, activation='relu'),
    keras.layers.Dense(64, activation='relu'),
    keras.layers.Dense(10, activation='softmax')
])
model.summary()

model.compile(optimizer='adam',
              loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])

model.fit(train_images, train_labels, epochs=5)

test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)
print('\nTest accuracy:', test_acc)

predictions = model.predict(test_images[:5])
for prediction, label in zip(predictions, test_labels[:5]):
    print(f'predicted {class_names[np.argmax(prediction)]:12} '
          f'({100 * np.max(prediction):.0f}%), true {class_names[label]}')
